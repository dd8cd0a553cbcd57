package report

import (
	"fmt"
	"slices"
)

// findMonteCarlo marks the Monte Carlo scenarios: those the job spec
// gives a montecarlo field. Without a spec that lists scenarios, those
// with a partition that holds a summary but neither a regions nor a
// flows file, as the pipeline writes them; with one, a deterministic
// scenario that lost both files stays deterministic.
func (d *dataset) findMonteCarlo() {
	d.mcScenario = make(map[string]bool)
	if d.man != nil && len(d.man.scenarios) > 0 {
		for _, s := range d.man.monteCarlo {
			d.mcScenario[s] = true
		}
		return
	}
	for p, files := range d.tree.files {
		_, sum := files[accSummary]
		_, reg := files[accRegions]
		_, fl := files[accFlows]
		if sum && !reg && !fl {
			d.mcScenario[p.scenario] = true
		}
	}
}

// monteCarloNames lists the Monte Carlo scenarios in the order of
// d.scenarios.
func (d *dataset) monteCarloNames() []string {
	var out []string
	for _, s := range d.scenarios {
		if d.mcScenario[s] {
			out = append(out, s)
		}
	}
	return out
}

// meanRegions stands in for the regions file of a partition that has
// none with the means of its summary: one column per account, the
// regions in the summary's order. It returns nil when the summary holds
// no regional account of the stressor. Accounts the summary lacks are
// null.
func meanRegions(key string, rows []summaryRow) *regionData {
	rd := &regionData{key: key, cols: make(map[string]map[string]float64), absent: map[string]bool{}}
	for _, c := range regionNums {
		rd.cols[c] = make(map[string]float64)
	}
	found := false
	for _, row := range rows {
		col, ok := rd.cols[row.account]
		if !ok {
			continue
		}
		if !slices.Contains(rd.regions, row.region) {
			rd.regions = append(rd.regions, row.region)
		}
		col[row.region] = row.mean
		rd.draws = max(rd.draws, int(row.nd))
		found = found || stressorAccount(row.account)
	}
	if !found {
		return nil
	}
	return rd
}

// meanFlows stands in for the flows file of a partition that has none
// with the mean flows of its summary; nil when the summary holds none.
func meanFlows(rows []summaryRow) *flowData {
	fd := &flowData{value: make(map[[2]string]float64)}
	for _, row := range rows {
		if row.account != accFlowsRow {
			continue
		}
		fd.value[[2]string{row.region, row.toRegion}] = row.mean
		if !slices.Contains(fd.from, row.region) {
			fd.from = append(fd.from, row.region)
		}
		if !slices.Contains(fd.to, row.toRegion) {
			fd.to = append(fd.to, row.toRegion)
		}
		fd.draws = max(fd.draws, int(row.nd))
	}
	if len(fd.value) == 0 {
		return nil
	}
	return fd
}

// standIn fills the regions, and for the focus the flows, of Monte
// Carlo partitions that have no such file with their summary's means.
func (d *dataset) standIn() {
	for p, sm := range d.summaryOf {
		if sm.data == nil || !d.mcScenario[p.scenario] {
			continue
		}
		key := d.tree.files[p][accSummary]
		if _, ok := d.tree.files[p][accRegions]; !ok {
			if rd := meanRegions(key, sm.data); rd != nil {
				d.regionsOf[p] = loaded[*regionData]{data: rd}
			}
		}
		if _, ok := d.tree.files[p][accFlows]; !ok && p == d.focus() {
			if fd := meanFlows(sm.data); fd != nil {
				d.flowsOf[p] = loaded[*flowData]{data: fd}
			}
		}
	}
}

// meanNote says, for a caption, that the numbers of scenario s are
// means over draws Monte Carlo draws; "" when draws is 0 and they are
// the files' own.
func meanNote(s string, draws int) string {
	if draws == 0 {
		return ""
	}
	return fmt.Sprintf(" Scenario %s is a Monte Carlo scenario: its numbers are the mean over %d draws.", s, draws)
}
