package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// copyRollupDays copies benchDay's rollup rows to the following days (for
// the month benchmark), once, straight in SQLite.
func copyRollupDays(path string, days int) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	d0, d1 := benchDay.Format(time.DateOnly), benchDay.AddDate(0, 0, 1).Format(time.DateOnly)
	var n int
	// The generated day spills a little past midnight; day 2 on is ours.
	d2 := benchDay.AddDate(0, 0, 2).Format(time.DateOnly)
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM rollup WHERE grain = 'day' AND bucket = ?`, d2).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for d := 1; d <= days; d++ {
		shift := fmt.Sprintf("+%d days", d)
		if _, err := db.ExecContext(ctx, `INSERT INTO rollup SELECT grain, dim, date(substr(bucket, 1, 10), ?) || substr(bucket, 11),
			key, metric, value FROM rollup WHERE bucket >= ? AND bucket < ? AND true
			ON CONFLICT (grain, dim, bucket, key, metric) DO UPDATE SET value = value + excluded.value`, shift, d0, d1); err != nil {
			return fmt.Errorf("copy day %d: %w", d, err)
		}
	}
	return nil
}
