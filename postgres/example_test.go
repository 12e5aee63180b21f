package postgres_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/postgres"
)

// Open builds the schema on first use; every ibid process pointed at the
// same database then shares one library. (Not run: it needs a server.)
func ExampleOpen() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, "postgres://ibid@127.0.0.1:5432/ibid?sslmode=disable")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	res, total, err := db.Search(ctx, ibid.SearchQuery{Query: `"collective security" litvin`})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(total, "essays match")
	for _, r := range res {
		fmt.Println(r.Essay.Title, r.Snippet)
	}
}
