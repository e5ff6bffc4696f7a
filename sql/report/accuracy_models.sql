-- How each model's accuracy input was read: its scale, how it was scored, and how many of its keys resolved.
select model, source, scale, scoring, n_keys, n_resolved, n_unresolved, n_records
from accuracy_models
order by model, source
