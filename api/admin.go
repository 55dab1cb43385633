package api

func (s *Server) adminRoutes() []route { return nil }
