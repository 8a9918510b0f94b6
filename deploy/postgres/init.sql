-- One database and one role per service: no service can read another's data.
CREATE ROLE intake LOGIN PASSWORD 'intake';
CREATE DATABASE intake OWNER intake;
CREATE ROLE scheduling LOGIN PASSWORD 'scheduling';
CREATE DATABASE scheduling OWNER scheduling;
CREATE ROLE evaluation LOGIN PASSWORD 'evaluation';
CREATE DATABASE evaluation OWNER evaluation;
CREATE ROLE reporting LOGIN PASSWORD 'reporting';
CREATE DATABASE reporting OWNER reporting;
CREATE ROLE notifications LOGIN PASSWORD 'notifications';
CREATE DATABASE notifications OWNER notifications;
CREATE ROLE replication LOGIN PASSWORD 'replication';
CREATE DATABASE replication OWNER replication;
