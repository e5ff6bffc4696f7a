-- The last statement of a query connection's setup: from here on no SET, RESET or PRAGMA changes a setting.
set lock_configuration = true
