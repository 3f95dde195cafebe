// Package layers holds the test that the packages' dependencies point one way:
// server → endpoint → graph → db → graph/model.
package layers
