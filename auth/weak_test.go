package auth

import "testing"

func TestWeakPasswordsRefused(t *testing.T) {
	for _, p := range []string{
		"aaaaaaaaaa", "ababababab", "1234567890", "abcdefghij", "9876543210", "qwertyuiop",
		"Password123", "password!!", "Switchboard1", "1q2w3e4r5t", "admin123456", "asdfghjkl;",
		"WOAINI1314", "iloveyou123",
	} {
		if err := CheckPassword("ann", p); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
	if err := CheckPassword("annabelle", "my annabelle 7"); err == nil {
		t.Error("a password containing the username accepted")
	}
	for _, p := range []string{
		"grey heron at dawn 1", "correct horse battery", "Tr4mpoline-Sky", "长城外古道边芳草碧连天", "passwords are overrated",
	} {
		if err := CheckPassword("ann", p); err != nil {
			t.Errorf("%q refused: %v", p, err)
		}
	}
}
