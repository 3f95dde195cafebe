package model

// ValidSIRET reports whether s is a well-formed SIRET (« numéro SIRET »): 14 digits whose
// Luhn checksum is valid. La Poste's establishments (SIREN 356000000) are numbered outside
// the Luhn rule: for them the sum of the 14 digits must be a multiple of 5 (INSEE's
// documented exception); its head office 35600000000048 satisfies Luhn.
func ValidSIRET(s string) bool {
	if len(s) != 14 {
		return false
	}
	sum, digits := 0, 0
	for i := 0; i < 14; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		digits += d
		if i%2 == 0 { // from the right, positions 14, 12, ... are doubled: indexes 0, 2, ... of 14 digits
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if sum%10 == 0 {
		return true
	}
	return s[:9] == "356000000" && digits%5 == 0
}
