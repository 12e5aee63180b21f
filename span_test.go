package ibid

import "testing"

func TestSpanIn(t *testing.T) {
	r := []rune("naïve café")
	for _, c := range []struct {
		sp   Span
		want string
	}{
		{Span{0, 5}, "naïve"},
		{Span{6, 4}, "café"},
		{Span{6, 40}, "café"}, // clamped at the end
		{Span{-3, 5}, "na"},   // clamped at the start
		{Span{20, 2}, ""},
		{Span{4, -2}, ""},
	} {
		if got := c.sp.In(r); got != c.want {
			t.Errorf("%+v.In = %q, want %q", c.sp, got, c.want)
		}
	}
}
