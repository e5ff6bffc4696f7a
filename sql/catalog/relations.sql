-- Every table and view of the database, with its kind ('BASE TABLE' or 'VIEW').
select table_name, table_type
from information_schema.tables
where table_schema = 'main'
order by table_name
