package model

// Connection is a page of a Relay connection (DESIGN §4): its edges, the state of the
// pagination and the number of items matching the filter, whatever the page.
// Each connection of the schema is an alias of one instance (see StructureConnection).
type Connection[T any] struct {
	Edges      []Edge[T]
	PageInfo   PageInfo
	TotalCount int
}

// Edge is an item of a connection with its opaque cursor.
type Edge[T any] struct {
	Cursor string
	Node   T
}

// Nodes returns the items of the page, without cursors.
func (c Connection[T]) Nodes() []T {
	nodes := make([]T, len(c.Edges))
	for i, e := range c.Edges {
		nodes[i] = e.Node
	}
	return nodes
}

// The connections of the schema.
type (
	StructureConnection   = Connection[Structure]
	StructureEdge         = Edge[Structure]
	StaffMemberConnection = Connection[StaffMember]
	StaffMemberEdge       = Edge[StaffMember]
)
