//! `veltrix serve`: the router and the game handlers as one HTTP service.
