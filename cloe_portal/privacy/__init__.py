"""Personal data: evidence retention (purge), candidate data export, erasure."""
