package model

// AuditRef names an object whose personal fields are audited when read: its GraphQL type,
// its database key and the department it belongs to.
type AuditRef struct {
	Type       string
	Key        string
	Department string
}

// Audited is implemented by objects holding personal data (a beneficiary, a household
// member): reading any of their @group fields is written to the audit log.
type Audited interface {
	AuditRef() AuditRef
}
