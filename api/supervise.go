package api

func (s *Server) superviseRoutes() []route { return nil }
