package db

import (
	"context"
	"sort"
	"testing"
)

// Every text, array or jsonb column of a table holding a beneficiary's data is either
// erased by anonymisation or deliberately kept (issue 7): a module adding a free-text
// column, or a table, must decide here, or this test fails.
func TestAnonymisationCoversEveryColumn(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var cols []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	err := s.DB().SelectContext(ctx, &cols, `
		SELECT c.table_name, c.column_name FROM information_schema.columns c
		WHERE c.table_schema = 'public' AND (c.data_type IN ('text', 'jsonb', 'ARRAY', 'character varying') OR c.column_name LIKE '%birth%')
		  AND (c.table_name = 'beneficiaries' OR c.table_name IN (
		      SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = 'beneficiaries'::regclass))
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) < 40 {
		t.Fatalf("only %d columns found", len(cols))
	}
	kept := map[string]bool{}
	for table, cs := range keptColumns {
		for _, c := range cs {
			kept[table+"."+c] = true
		}
	}
	seen := map[string]bool{}
	for _, c := range cols {
		k := c.Table + "." + c.Column
		seen[k] = true
		_, erased := anonymisedColumns[c.Table][c.Column]
		switch {
		case erased && kept[k]:
			t.Errorf("%s is both erased and kept", k)
		case !erased && !kept[k]:
			t.Errorf("%s holds text about a beneficiary: add it to anonymisedColumns or keptColumns", k)
		}
	}
	var stale []string
	for table, cs := range anonymisedColumns {
		for c := range cs {
			if !seen[table+"."+c] {
				stale = append(stale, table+"."+c)
			}
		}
	}
	for k := range kept {
		if !seen[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("columns listed but not in the schema: %v", stale)
	}
}
