package config

import (
	"errors"
	"fmt"
	"time"

	"switchboard/auth"
)

// The auth: and privacy: sections.

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
	// auth.New reads a zero as "use the default": an explicit 0 in the
	// file would silently not be 0, so it is an error.
	for _, z := range []struct {
		key  string
		zero bool
	}{
		{"auth.session_idle", a.SessionIdle == 0}, {"auth.session_max", a.SessionMax == 0},
		{"auth.login_window", a.LoginWindow == 0}, {"auth.login_attempts", a.LoginAttempts == 0},
		{"auth.login_attempts_per_address", a.AddressAttempts == 0},
	} {
		if z.zero {
			errs = append(errs, fmt.Errorf("%s: must be greater than 0", z.key))
		}
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
