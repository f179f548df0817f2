package orqmem

import (
	"errors"
	"strconv"
	"strings"
)

// msgCronShapes says which schedule expressions are accepted, in the words
// of the document's description of expression.
const msgCronShapes = "must be a 6-field cron expression \"sec min hour dom month dow\" firing at most once per hour: " +
	"seconds and minutes 0, day-of-month and month *, hour * or a single integer 0-23, weekday * or a single integer 0-6, " +
	"fields separated by single spaces; ranges, lists, steps and names are rejected. " +
	"Accepted shapes: hourly \"0 0 * * * *\", daily \"0 0 9 * * *\", weekly \"0 0 9 * * 1\""

// errCronShape is returned for every refused expression.
var errCronShape = errors.New(msgCronShapes)

// checkCron accepts exactly the expressions the document describes: six
// fields separated by single spaces; seconds and minutes "0"; day-of-month
// and month "*"; hour "*" or one integer 0-23; weekday "*" or one integer
// 0-6. Integers are written without sign or leading zero.
func checkCron(expr string) error {
	f := strings.Split(expr, " ")
	if len(f) != 6 || f[0] != "0" || f[1] != "0" || f[3] != "*" || f[4] != "*" ||
		!starOrInt(f[2], 23) || !starOrInt(f[5], 6) {
		return errCronShape
	}
	return nil
}

// starOrInt reports whether s is "*" or a plain integer from 0 to max.
func starOrInt(s string, max int) bool {
	if s == "*" {
		return true
	}
	if s == "" || len(s) > 2 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(s)
	return err == nil && n <= max
}
