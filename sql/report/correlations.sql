-- Every correlation row, per model and scope.
select *
from correlations
order by model, scope
