-- The combined-scope correlation of every model with a Spearman estimate, strongest first: the report's lead.
select *
from correlations
where scope = 'combined' and spearman_rho is not null
order by spearman_rho desc, model
