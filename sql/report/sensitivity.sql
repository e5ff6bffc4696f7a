-- The sensitivity table as the report shows it: per model, the variants in their order.
select *
from sensitivity
order by model, variant_order
