-- Text units, conversations and words per source, stage and role.
select *
from documents_summary
order by source, stage, role
