package model

// RefuseImport turns the report of an import into that of a refused file: a file with
// a rejected row is written whole or not at all (unless keepValidRows), so nothing was
// created, updated or left unchanged; the valid rows say VALID, the rejected ones keep
// their errors.
func RefuseImport(r *ImportReport) {
	r.Applied = false
	r.Created, r.Updated, r.Unchanged = 0, 0, 0
	for i := range r.Rows {
		if r.Rows[i].Outcome != ImportOutcomeRejected {
			r.Rows[i].Outcome = ImportOutcomeValid
		}
	}
}
