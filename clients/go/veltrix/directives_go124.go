//go:build go1.24

package veltrix

// Go 1.24 and later: no C function of this package calls back into Go
// (nocallback), and none keeps a Go pointer past its call (noescape), so
// the Go pointers passed (the results slice, Convert's input and output)
// need not escape to the heap. Older Go (Debian 12 ships 1.19) does not know
// these directives, hence the build constraint.

/*
#cgo nocallback vxgo_route
#cgo noescape vxgo_route
#cgo nocallback vxgo_router_new
#cgo noescape vxgo_router_new
#cgo nocallback vxgo_convert
#cgo noescape vxgo_convert
#cgo nocallback vxgo_stats_json
#cgo noescape vxgo_stats_json
#cgo nocallback vxgo_handler_name
#cgo noescape vxgo_handler_name
#cgo nocallback vx_abi_version
#cgo noescape vx_abi_version
#cgo nocallback vx_router_free
#cgo noescape vx_router_free
*/
import "C"
