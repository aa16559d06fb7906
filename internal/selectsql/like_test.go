package selectsql

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// likeRegexp is an independent model of LIKE: % is .*, _ is one
// character, everything else literal.
func likeRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range pat {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}

// TestLikeMatchesModel compares the matcher with the regexp model over
// random patterns and strings from a small alphabet (so that matches and
// near-misses are frequent).
func TestLikeMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alpha := []string{"a", "b", "é", "%", "_"}
	gen := func(n int, wild bool) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			k := len(alpha)
			if !wild {
				k = 3
			}
			b.WriteString(alpha[rng.Intn(k)])
		}
		return b.String()
	}
	for i := 0; i < 20000; i++ {
		pat, s := gen(rng.Intn(7), true), gen(rng.Intn(9), false)
		lp, err := compileLike(pat, "", false)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := lp.match(s), likeRegexp(pat).MatchString(s); got != want {
			t.Fatalf("%q LIKE %q = %v, want %v", s, pat, got, want)
		}
	}
}

// A pattern built to make backtracking matchers quadratic stays fast.
func TestLikeLinearWorst(t *testing.T) {
	s := strings.Repeat("a", 1<<20)
	pat := strings.Repeat("%a", 2000) + "%b"
	lp, err := compileLike(pat, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if lp.match(s) {
		t.Fatal("matched without a b")
	}
}
