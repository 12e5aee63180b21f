package postgres

// SetRankCap lets the tests rank past the cap without thousands of essays.
func SetRankCap(n int) (restore func()) {
	old := rankCap
	rankCap = n
	return func() { rankCap = old }
}
