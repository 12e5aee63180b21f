package ibid

import (
	"errors"
	"fmt"
)

// Error codes. Each adapter maps them once: web to HTTP status codes, the CLI
// to exit statuses and one-line messages.
const (
	EINVALID      = "invalid"      // the input is malformed or unsupported
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the thing already exists (duplicate content, slug)
	EUNAUTHORIZED = "unauthorized" // the caller must sign in
	EFORBIDDEN    = "forbidden"    // the caller may not do this
	EMETHOD       = "method"       // the address exists but does not answer this request method
	ETOOLARGE     = "too_large"    // the input exceeds a limit
	ERATELIMIT    = "rate_limited" // too many requests from one client
	EUNAVAILABLE  = "unavailable"  // the service is overloaded or shutting down
	EINTERNAL     = "internal"     // a bug or an outside failure; details are logged, not shown
)

// Error is an error with a code and a message that is safe to show to users.
// Internal details travel in Err, which is logged but never shown.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Message != "" && e.Err != nil:
		return e.Message + ": " + e.Err.Error()
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err: the message of the first
// *Error in its chain, or a generic one for internal errors.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL && e.Message != "" {
		return e.Message
	}
	return "An internal error occurred."
}
