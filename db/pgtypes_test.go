package db

import (
	"context"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestUUID_StringsEncodeInBinary: on the Store's connections, a key given as a string is
// encoded as a binary uuid, alone (COPY's format) and in an array (ANY($1::uuid[])),
// without pgx refusing it first; a malformed one is still an error.
func TestUUID_StringsEncodeInBinary(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	const key = "0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6f"
	err := s.readTx(ctx, func(tx *Tx) error {
		return tx.native(ctx, func(c *pgx.Conn) error {
			m := c.TypeMap()
			if b, err := m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, key, nil); err != nil || len(b) != 16 {
				t.Errorf("a string as a binary uuid: %x, %v", b, err)
			}
			if _, err := m.Encode(pgtype.UUIDArrayOID, pgtype.BinaryFormatCode, []string{key, key}, nil); err != nil {
				t.Errorf("strings as a binary uuid[]: %v", err)
			}
			if _, err := m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, "not a uuid", nil); err == nil {
				t.Error("a malformed key encoded")
			}
			var n int
			if err := c.QueryRow(ctx, `SELECT count(*) FROM unnest($1::uuid[]) k WHERE k = $2::uuid`, []string{key, key}, key).Scan(&n); err != nil || n != 2 {
				t.Errorf("ANY of strings: %d, %v", n, err)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTypes_DateScannedAsADate: on the Store's connections a date is decoded into a
// model.Date by pgx's date codec (dateScanPlan), not through model.Date's sql.Scanner;
// NULL gives the zero Date; a pointer gets nil for NULL.
func TestTypes_DateScannedAsADate(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	err := s.readTx(ctx, func(tx *Tx) error {
		return tx.native(ctx, func(c *pgx.Conn) error {
			var d model.Date
			if plan := c.TypeMap().PlanScan(pgtype.DateOID, pgtype.BinaryFormatCode, &d); reflect.TypeOf(plan) != reflect.TypeFor[dateScanPlan]() {
				t.Errorf("plan %T", plan)
			}
			var null model.Date
			var ptr, nilPtr *model.Date
			if err := c.QueryRow(ctx, `SELECT DATE '2024-02-29', NULL::date, DATE '1999-12-31', NULL::date`).Scan(&d, &null, &ptr, &nilPtr); err != nil {
				return err
			}
			if d != model.NewDate(2024, 2, 29) || !null.IsZero() || ptr == nil || *ptr != model.NewDate(1999, 12, 31) || nilPtr != nil {
				t.Errorf("got %v %v %v %v", d, null, ptr, nilPtr)
			}
			if err := c.QueryRow(ctx, `SELECT 'infinity'::date`).Scan(&d); err == nil {
				t.Error("an infinite date scanned")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
