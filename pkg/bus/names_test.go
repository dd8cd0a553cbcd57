package bus

import (
	"regexp"
	"testing"
)

func TestToken(t *testing.T) {
	// What a NATS subject token and a key-value key part may hold.
	safe := regexp.MustCompile(`^[-_=A-Za-z0-9]+$`)
	tests := []struct{ in, want string }{
		{"ga-2019", "ga-2019"},
		{"cleaner_power", "cleaner_power"},
		{"v1.2", "v1=2E2"},
		{"a b", "a=20b"},
		{"a=b", "a=3Db"},
		{"*>", "=2A=3E"},
		{"", "="},
		{"é", "=C3=A9"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		got := token(tt.in)
		if got != tt.want {
			t.Errorf("token(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !safe.MatchString(got) {
			t.Errorf("token(%q) = %q is not safe", tt.in, got)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%q and %q share the token %q", tt.in, other, got)
		}
		seen[got] = tt.in
	}
}

func FuzzToken(f *testing.F) {
	for _, s := range []string{"ga-2019", "v1.2", "a=b", ""} {
		f.Add(s)
	}
	safe := regexp.MustCompile(`^[-_=A-Za-z0-9]+$`)
	f.Fuzz(func(t *testing.T, s string) {
		tok := token(s)
		if !safe.MatchString(tok) {
			t.Fatalf("token(%q) = %q is not safe", s, tok)
		}
		if s != "" && untoken(tok) != s {
			t.Fatalf("token(%q) = %q does not read back", s, tok)
		}
	})
}

// untoken reverses token, for the fuzz test.
func untoken(tok string) string {
	var out []byte
	for i := 0; i < len(tok); i++ {
		if tok[i] != '=' {
			out = append(out, tok[i])
			continue
		}
		var b byte
		for _, c := range []byte(tok[i+1 : i+3]) {
			b <<= 4
			switch {
			case c >= '0' && c <= '9':
				b |= c - '0'
			default:
				b |= c - 'A' + 10
			}
		}
		out = append(out, b)
		i += 2
	}
	return string(out)
}
