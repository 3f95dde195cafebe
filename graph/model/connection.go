package model

// Connection is a page of a Relay connection (DESIGN §4): its edges, the state of the
// pagination and the number of items matching the filter, whatever the page.
// Each connection of the schema is an alias of one instance (see StructureConnection).
type Connection[T any] struct {
	Edges      []Edge[T]
	PageInfo   PageInfo
	TotalCount int
}

// Edge is an item of a connection with its position in the connection's order. Its
// opaque cursor is encoded when a client asks for it (most pages are read without
// cursors: the encoding was a fiftieth of the server's CPU on the list of 50).
type Edge[T any] struct {
	Position Cursor
	Node     T
}

// Cursor returns the opaque cursor of e.
func (e Edge[T]) Cursor() string { return e.Position.Encode() }

// PageInfo is the state of a connection's pagination (Relay).
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	// First and Last are the positions of the page's first and last edges (nil for an
	// empty page): their cursors are encoded when asked.
	First, Last *Cursor
}

// StartCursor returns the cursor of the first edge, nil for an empty page.
func (p PageInfo) StartCursor() *string { return p.First.encoded() }

// EndCursor returns the cursor of the last edge, nil for an empty page.
func (p PageInfo) EndCursor() *string { return p.Last.encoded() }

// SetEnds sets First and Last from the edges of c (withCursors for a page built by hand).
func (c *Connection[T]) SetEnds() {
	if n := len(c.Edges); n > 0 {
		c.PageInfo.First, c.PageInfo.Last = &c.Edges[0].Position, &c.Edges[n-1].Position
	}
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
