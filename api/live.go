package api

func (s *Server) liveRoutes() []route { return nil }
