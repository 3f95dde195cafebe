package model

import (
	"strconv"
	"time"
)

// AuditLogEntry is one line of the audit log as the API shows it.
type AuditLogEntry struct {
	Key               int64
	At                time.Time
	ActorSubject      string
	ActorEmail        string
	ActorRole         Role
	ActorStructureKey string
	RequestID         string
	Operation         string
	ClientAddr        string
	Action            string
	EntityType        string
	EntityKey         string
	EntityKeys        []string // every object of an entry about several (a page read); empty for one
	Departments       []string
	Changes           string // JSON document
}

// ID returns the global id of e.
func (e AuditLogEntry) ID() string { return GlobalID("AuditLogEntry", strconv.FormatInt(e.Key, 10)) }

// EntityID returns the global id of the object the entry is about.
func (e AuditLogEntry) EntityID() string { return GlobalID(e.EntityType, e.EntityKey) }

// EntityIDs returns the global ids of every object the entry is about: those of a page
// read with the same fields, or the one object of EntityID.
func (e AuditLogEntry) EntityIDs() []string {
	if len(e.EntityKeys) == 0 {
		return []string{e.EntityID()}
	}
	ids := make([]string, len(e.EntityKeys))
	for i, k := range e.EntityKeys {
		ids[i] = GlobalID(e.EntityType, k)
	}
	return ids
}

func (AuditLogEntry) IsNode() {}

// The audit log connection.
type (
	AuditLogEntryConnection = Connection[AuditLogEntry]
	AuditLogEntryEdge       = Edge[AuditLogEntry]
)
