package bus

import (
	"fmt"
	"strings"
)

// token turns a name into something that may be one token of a NATS
// subject and one part of a key of the state bucket: letters, digits, '-'
// and '_' stay; every other byte, '=' included, becomes =XX (hex), so
// two names never share a token.
func token(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	if b.Len() == 0 {
		return "="
	}
	return b.String()
}

// The subjects of the two streams.
const (
	taskSubjects   = "mrioflow.tasks.>"
	reportSubjects = "mrioflow.reports.>"
)

// jobTasks is the subject filter of every task of a job.
func jobTasks(job string) string { return "mrioflow.tasks." + token(job) + ".>" }

// taskSubject is the subject of one task:
// mrioflow.tasks.<job>.<year>.<scenario>.<block>. One subject per task
// lets the coordinator ask whether a task is still queued.
func taskSubject(job, year, scenario, block string) string {
	return "mrioflow.tasks." + token(job) + "." + token(year) + "." + token(scenario) + "." + token(block)
}

// reportSubject is the subject of the reports of one run of a job.
func reportSubject(job, run string) string {
	return "mrioflow.reports." + token(job) + "." + token(run)
}

// The keys of the state bucket. A job's record is <job>; everything else
// of the job sits below it, the run's tasks under <job>.task.<run>, so a
// worker of an old run cannot overwrite the state of a new one.
func jobKey(job string) string           { return token(job) }
func jobKeys(job string) string          { return token(job) + ".>" }
func inputsKey(job, run string) string   { return token(job) + ".inputs." + token(run) }
func runTaskKeys(job, run string) string { return token(job) + ".task." + token(run) + ".>" }
func taskKey(job, run, year, scenario, block string) string {
	return token(job) + ".task." + token(run) + "." + token(year) + "." + token(scenario) + "." + token(block)
}
