package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// sigmaValue is one target's sigma as JSON writes it: a number, or
// {"table": PATH}.
type sigmaValue struct {
	Table string `json:"table"`
}

// MarshalJSON writes s as the spec writes it: per target a number, or
// {"table": PATH} for a target whose sigmas are in a file; targets at 0
// without a file are left out.
func (s Sigma) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, t := range []struct {
		key   string
		v     float64
		table string
	}{{TargetS, s.S, s.Table.S}, {TargetY, s.Y, s.Table.Y}, {TargetA, s.A, s.Table.A}} {
		var v any
		switch {
		case t.table != "":
			v = sigmaValue{t.table}
		case t.v != 0:
			v = t.v
		default:
			continue
		}
		data, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("spec: sigma of %s: %w", t.key, err)
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:", t.key)
		b.Write(data)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes. It rejects keys other than
// S, Y and A, and values that are neither a number nor {"table": PATH}.
func (s *Sigma) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("spec: sigma: %w", err)
	}
	*s = Sigma{}
	for key, v := range raw {
		var num *float64
		var table *string
		switch key {
		case TargetS:
			num, table = &s.S, &s.Table.S
		case TargetY:
			num, table = &s.Y, &s.Table.Y
		case TargetA:
			num, table = &s.A, &s.Table.A
		default:
			return fmt.Errorf("spec: sigma: unknown target %q", key)
		}
		if bytes.HasPrefix(bytes.TrimSpace(v), []byte("{")) {
			var sv sigmaValue
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&sv); err != nil {
				return fmt.Errorf("spec: sigma of %s: %w", key, err)
			}
			*table = sv.Table
			continue
		}
		if err := json.Unmarshal(v, num); err != nil {
			return fmt.Errorf("spec: sigma of %s: %w", key, err)
		}
	}
	return nil
}

// SigmaPath returns where a file of sigmas of j lies, as TablePath does
// for a table: a relative path joined to j.Dir, an absolute path or a URL
// unchanged.
func (j *Job) SigmaPath(p string) string { return j.resolve(p) }
