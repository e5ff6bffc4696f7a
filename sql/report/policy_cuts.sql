-- The classes the run's policy cuts most against the raw count, the largest cuts first.
select display_name, class_id, keep_docs, policy_docs
from policy_cuts
limit $limit
