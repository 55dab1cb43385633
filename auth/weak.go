package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length alone let "aaaaaaaaaa" and "1234567890" in. weakReason says why
// a long-enough password is still one an attacker tries first: a common
// password, a run of one character, a sequence, a keyboard row, or the
// product's own name; "" when none.
func weakReason(password string) string {
	p := strings.ToLower(password)
	if commonPasswords[p] {
		return "is one of the most common passwords"
	}
	distinct := map[rune]bool{}
	for _, r := range p {
		distinct[r] = true
	}
	if len(distinct) < 4 {
		return "repeats too few characters"
	}
	if isSequence(p) {
		return "is a sequence (like 1234567890 or abcdefghij)"
	}
	for _, row := range keyboardRows {
		if strings.Contains(row, p) || strings.Contains(reverse(row), p) {
			return "is a row of the keyboard"
		}
	}
	// The product's and the role's names with digits or punctuation added.
	core := strings.TrimFunc(p, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range []string{"password", "passw0rd", "switchboard", "callcenter", "admin", "supervisor", "qwerty", "welcome", "letmein", "changeme"} {
		if core == w || (strings.HasPrefix(p, w) && utf8.RuneCountInString(p)-utf8.RuneCountInString(w) <= 6 && !hasLetterAfter(p[len(w):])) {
			return "is a common word with digits added"
		}
	}
	return ""
}

func hasLetterAfter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

// isSequence: every character one up (or one down) from the one before.
func isSequence(p string) bool {
	rs := []rune(p)
	up, down := true, true
	for i := 1; i < len(rs); i++ {
		up = up && rs[i] == rs[i-1]+1
		down = down && rs[i] == rs[i-1]-1
	}
	return up || down
}

func reverse(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}

var keyboardRows = []string{"1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./", "1qaz2wsx3edc4rfv5tgb", "qazwsxedcrfvtgbyhn"}

// commonPasswords: the longest entries of the public most-common lists
// (10 characters and more, lowercased); the rules above catch the rest of
// those lists' patterns.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Fields(`
		1234567890 0123456789 0987654321 1111111111 1234512345 1122334455 1234554321
		1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx3edc zaq12wsxcde3 zaq1xsw2cde3 q1w2e3r4t5 a1b2c3d4e5
		qwerty1234 qwerty12345 qwertyuiop asdfghjkl; 1qazxsw23edc qazwsxedc123 abc1234567
		iloveyou12 iloveyou123 iloveyou1234 princess12 sunshine12 football12 baseball12
		superman12 starwars12 dragon1234 monkey1234 shadow1234 master1234 michael123
		jennifer12 trustno1234 whatever12 computer12 internet12 corvette12 mercedes12
		987654321a 123456789a 123456789q a123456789 q123456789 abcd123456 abcdef1234
		ninja12345 zxcvbnm123 asdf123456 qweasdzxc1 qweasdzxc123 1qaz@wsx3edc
		wo2shi2ni3 woaini1314 woaini520 5201314520 1314520520 aini1314521 zhang123456
		wang123456 li123456789 huawei1234 xiaomi1234 china12345 beijing123 shanghai123
	`) {
		m[p] = true
	}
	return m
}()
