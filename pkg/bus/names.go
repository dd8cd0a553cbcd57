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

func taskSubject(job string) string       { return "mrioflow.tasks." + token(job) }
func eventSubject(job, run string) string { return "mrioflow.events." + token(job) + "." + token(run) }

// jobKey is the state key of a job; taskKey the key of one of its tasks.
func jobKey(job string) string { return token(job) }
func taskKey(job, year, scenario, block string) string {
	return token(job) + ".task." + token(year) + "." + token(scenario) + "." + token(block)
}
