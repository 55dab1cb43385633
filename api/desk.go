package api

func (s *Server) deskRoutes() []route { return nil }
