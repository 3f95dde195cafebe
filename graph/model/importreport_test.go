package model

import "testing"

// A refused import reports no row as written (issue 17, defect 8).
func TestRefuseImport(t *testing.T) {
	r := ImportReport{Applied: true, Created: 1, Updated: 1, Unchanged: 1, Rejected: 1, Rows: []ImportRow{
		{Outcome: ImportOutcomeCreated}, {Outcome: ImportOutcomeUpdated}, {Outcome: ImportOutcomeUnchanged},
		{Outcome: ImportOutcomeRejected, Errors: []UserError{{Code: CodeInvalidInput}}},
	}}
	RefuseImport(&r)
	if r.Applied || r.Created != 0 || r.Updated != 0 || r.Unchanged != 0 || r.Rejected != 1 {
		t.Fatalf("counts %+v", r)
	}
	for i, want := range []ImportOutcome{ImportOutcomeValid, ImportOutcomeValid, ImportOutcomeValid, ImportOutcomeRejected} {
		if r.Rows[i].Outcome != want {
			t.Fatalf("row %d: %s, want %s", i, r.Rows[i].Outcome, want)
		}
	}
	if len(r.Rows[3].Errors) != 1 {
		t.Fatal("the rejected row lost its errors")
	}
}

// A validation reports every broken field, in order; the first is still AsUserError's.
func TestOfferFieldsValidate_EveryError(t *testing.T) {
	f := completeOffer()
	f.Name, f.Phone, f.Themes = "x", refOf("pas un numéro"), []string{"couture"}
	err := f.Validate("input", "fields")
	var got []string
	for _, e := range UserErrors(err) {
		got = append(got, e.Field[len(e.Field)-1]+":"+string(e.Code))
	}
	want := []string{"name:INVALID_INPUT", "themes:UNKNOWN_VALUE", "phone:INVALID_INPUT"}
	if len(got) != len(want) {
		t.Fatalf("errors %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("errors %v, want %v", got, want)
		}
	}
	if first := AsUserError(err); first == nil || first.Field[2] != "name" {
		t.Fatalf("first error %+v", first)
	}
	if UserErrors(completeOffer().Validate()) != nil {
		t.Fatal("a complete offer has errors")
	}
}
