package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/workforce"
)

// Staffing (Erlang C): the agents required per 30-minute interval of a day
// from the logged load, against the published schedules, for leads before
// they publish. A team lead sees their own team's scheduled agents.

// StaffingService is what the staffing route needs (*workforce.Staffer).
type StaffingService interface {
	Staffing(ctx context.Context, date, team string) (workforce.Staffing, error)
}

var _ StaffingService = (*workforce.Staffer)(nil)

func staffingRoutes(s *Server) []route {
	svc := s.cfg.Staffing
	return requires(svc != nil, errNoWorkforce,
		route{http.MethodGet, "/api/v1/workforce/staffing", func(c echo.Context) error {
			q := newQuery(c.QueryParams(), "date", "team")
			if q.err != nil {
				return q.err
			}
			team := q.str("team")
			if p := principalOf(c); p.Role == auth.TeamLead {
				if team != "" && team != p.Team {
					return forbidden("a team lead sees their own team's staffing")
				}
				team = p.Team
			}
			st, err := svc.Staffing(c.Request().Context(), q.str("date"), team)
			if err != nil {
				var fe *workforce.FieldError
				if errors.As(err, &fe) {
					return badRequest(fe.Field, "%s", fe.Reason)
				}
				return err
			}
			return c.JSON(http.StatusOK, st)
		}, leads},
	)
}
