package postgres

// SetRankCap lets the tests rank past the cap without thousands of essays.
func SetRankCap(n int) (restore func()) {
	old := rankCap
	rankCap = n
	return func() { rankCap = old }
}

// MigrationsBefore returns the names and bodies of the migrations older than
// version v, so that a test can build a library as an older ibid left it.
func MigrationsBefore(v int) (names, bodies []string) {
	list, err := listMigrations()
	if err != nil {
		panic(err)
	}
	for _, m := range list {
		if m.version >= v {
			break
		}
		b, err := migrations.ReadFile("migrations/" + m.name)
		if err != nil {
			panic(err)
		}
		names, bodies = append(names, m.name), append(bodies, string(b))
	}
	return names, bodies
}
