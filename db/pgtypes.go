package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// registerTypes teaches connection c's pgx type map the Store's two Go types that pgx
// handles only the slow way:
//   - a Go string as a binary uuid: the Store passes its keys as strings, in arrays
//     (ANY($1::uuid[])), which pgx sends in binary, and in COPY (the audit log's
//     structure), which is binary only. pgx's own uuid codec encodes a string in text
//     only, so each of those values was first refused, with an error built, then sent
//     another way;
//   - a date into a model.Date: as a sql.Scanner it was decoded into pgx's Date, turned
//     into a time.Time driver value, then scanned from that.
//
// Decoding uuids and everything else stays pgx's.
func registerTypes(_ context.Context, c *pgx.Conn) error {
	m := c.TypeMap()
	uuid := &pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: stringUUIDCodec{}}
	m.RegisterType(uuid)
	m.RegisterType(&pgtype.Type{Name: "_uuid", OID: pgtype.UUIDArrayOID, Codec: &pgtype.ArrayCodec{ElementType: uuid}})
	date := &pgtype.Type{Name: "date", OID: pgtype.DateOID, Codec: modelDateCodec{}}
	m.RegisterType(date)
	m.RegisterType(&pgtype.Type{Name: "_date", OID: pgtype.DateArrayOID, Codec: &pgtype.ArrayCodec{ElementType: date}})
	return nil
}

// stringUUIDCodec is pgx's uuid codec with a binary encoding of strings.
type stringUUIDCodec struct{ pgtype.UUIDCodec }

func (c stringUUIDCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(string); ok && format == pgtype.BinaryFormatCode {
		return encodeStringUUID{}
	}
	return c.UUIDCodec.PlanEncode(m, oid, format, value)
}

type encodeStringUUID struct{}

func (encodeStringUUID) Encode(value any, buf []byte) ([]byte, error) {
	var u pgtype.UUID
	if err := u.Scan(value.(string)); err != nil {
		return nil, err
	}
	return append(buf, u.Bytes[:]...), nil
}

// modelDateCodec is pgx's date codec that also scans into a *model.Date, through
// dateScanner (a pgtype.DateScanner).
type modelDateCodec struct{ pgtype.DateCodec }

func (c modelDateCodec) PlanScan(m *pgtype.Map, oid uint32, format int16, target any) pgtype.ScanPlan {
	if _, ok := target.(*model.Date); ok {
		if next := c.DateCodec.PlanScan(m, oid, format, (*dateScanner)(nil)); next != nil {
			return dateScanPlan{next}
		}
	}
	return c.DateCodec.PlanScan(m, oid, format, target)
}

type dateScanPlan struct{ next pgtype.ScanPlan }

func (p dateScanPlan) Scan(src []byte, target any) error {
	return p.next.Scan(src, (*dateScanner)(target.(*model.Date)))
}

// dateScanner is a model.Date that pgx's date codec scans into: NULL is the zero Date,
// as model.Date.Scan makes it; an infinite date is an error.
type dateScanner model.Date

func (d *dateScanner) ScanDate(v pgtype.Date) error {
	switch {
	case !v.Valid:
		*d = dateScanner{}
	case v.InfinityModifier != pgtype.Finite:
		return fmt.Errorf("db: an infinite date (%v) has no model.Date", v.InfinityModifier)
	default:
		*d = dateScanner{Year: v.Time.Year(), Month: v.Time.Month(), Day: v.Time.Day()}
	}
	return nil
}
