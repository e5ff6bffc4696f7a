-- Terms the run's policy can never count, in class order.
select term, display_name
from uncountable_terms
limit $limit
