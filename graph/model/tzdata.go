package model

// Embed the zone database so that Europe/Paris resolves on machines without tzdata.
import _ "time/tzdata"
