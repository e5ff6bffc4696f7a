-- Every accuracy key left out of the correlation, and why.
select model, source, key, reason
from accuracy_unresolved
order by model, source, key
