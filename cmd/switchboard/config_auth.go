package main

import (
	"errors"
	"fmt"
	"time"

	"switchboard/auth"
)

// The auth: and privacy: sections.

func (c *Config) mergeAuth(src *Config) {
	a, s := &c.Auth, src.Auth
	if s.SessionIdle != 0 {
		a.SessionIdle = s.SessionIdle
	}
	if s.SessionMax != 0 {
		a.SessionMax = s.SessionMax
	}
	if s.LoginAttempts != 0 {
		a.LoginAttempts = s.LoginAttempts
	}
	if s.AddressAttempts != 0 {
		a.AddressAttempts = s.AddressAttempts
	}
	if s.LoginWindow != 0 {
		a.LoginWindow = s.LoginWindow
	}
	if s.SecureCookie {
		a.SecureCookie = true
	}
	if src.Privacy.FullNumbers != nil {
		c.Privacy.FullNumbers = src.Privacy.FullNumbers
	}
	if src.Privacy.Reveal != nil {
		c.Privacy.Reveal = src.Privacy.Reveal
	}
}

func (c *Config) validateAuth() error {
	var errs []error
	a := c.Auth
	for _, d := range []struct {
		key string
		d   time.Duration
	}{{"auth.session_idle", a.SessionIdle}, {"auth.session_max", a.SessionMax}, {"auth.login_window", a.LoginWindow}} {
		if d.d < 0 {
			errs = append(errs, fmt.Errorf("%s: must not be negative", d.key))
		}
	}
	if a.SessionIdle > 0 && a.SessionMax > 0 && a.SessionMax < a.SessionIdle {
		errs = append(errs, fmt.Errorf("auth.session_max: %s is shorter than session_idle %s", a.SessionMax, a.SessionIdle))
	}
	if a.LoginAttempts < 0 {
		errs = append(errs, errors.New("auth.login_attempts: must not be negative"))
	}
	if a.AddressAttempts < 0 {
		errs = append(errs, errors.New("auth.login_attempts_per_address: must not be negative"))
	}
	for _, l := range []struct {
		key   string
		roles []auth.Role
	}{{"privacy.full_numbers", c.Privacy.FullNumbers}, {"privacy.reveal", c.Privacy.Reveal}} {
		for i, r := range l.roles {
			if _, err := auth.ParseRole(string(r)); err != nil {
				var fe *auth.FieldError
				errors.As(err, &fe)
				errs = append(errs, fmt.Errorf("%s[%d]: %s", l.key, i, fe.Reason))
			}
		}
	}
	return errors.Join(errs...)
}
