-- The helpdesk schema before migrations (revision 0001's shape), as the code of commit 879fb14 made it
-- on postgresql: helpdesk/schema.py's metadata.create_all plus console/leases.py's two lease tables.
-- Frozen: tests/helpdesk/test_migrations.py builds "a database of the previous schema" from it.

CREATE TABLE console_accounts (
	name VARCHAR(100) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	password_hash VARCHAR(300) NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE console_answer_leases (
	conversation_id VARCHAR(200) NOT NULL, 
	holder VARCHAR(32) NOT NULL, 
	expires_at FLOAT NOT NULL, 
	PRIMARY KEY (conversation_id)
);

CREATE TABLE console_rasa_sync_claims (
	conversation_id VARCHAR(200) NOT NULL, 
	holder VARCHAR(32) NOT NULL, 
	expires_at FLOAT NOT NULL, 
	PRIMARY KEY (conversation_id)
);

CREATE TABLE helpdesk_messages (
	id SERIAL NOT NULL, 
	conversation_id VARCHAR(200) NOT NULL, 
	sender VARCHAR(16) NOT NULL, 
	text TEXT NOT NULL, 
	buttons JSON, 
	client_msg_id VARCHAR(100), 
	author VARCHAR(100), 
	pending_sync BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT helpdesk_message_once UNIQUE (conversation_id, client_msg_id)
);

CREATE INDEX helpdesk_message_pending_sync ON helpdesk_messages (pending_sync);

CREATE INDEX ix_helpdesk_messages_conversation_id ON helpdesk_messages (conversation_id);

CREATE TABLE helpdesk_tickets (
	id SERIAL NOT NULL, 
	day VARCHAR(8) NOT NULL, 
	seq INTEGER NOT NULL, 
	conversation_id VARCHAR(200) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	reasons JSON NOT NULL, 
	facts JSON NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	due_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT helpdesk_ticket_number UNIQUE (day, seq)
);

CREATE UNIQUE INDEX helpdesk_one_active_ticket ON helpdesk_tickets (conversation_id) WHERE status != 'closed';

CREATE INDEX helpdesk_ticket_due ON helpdesk_tickets (status, due_at);

CREATE TABLE owner_config_versions (
	id SERIAL NOT NULL, 
	file VARCHAR(100) NOT NULL, 
	text TEXT NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	author VARCHAR(100) NOT NULL, 
	changes JSON NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_owner_config_versions_file ON owner_config_versions (file);

CREATE TABLE owner_model_events (
	id SERIAL NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	model VARCHAR(200) NOT NULL, 
	previous VARCHAR(200), 
	author VARCHAR(100) NOT NULL, 
	figures JSON NOT NULL, 
	reason TEXT, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE owner_review_decisions (
	id SERIAL NOT NULL, 
	message_key VARCHAR(500) NOT NULL, 
	decision VARCHAR(64) NOT NULL, 
	masked_text TEXT NOT NULL, 
	entities JSON NOT NULL, 
	added BOOLEAN NOT NULL, 
	author VARCHAR(100) NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	trained_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	UNIQUE (message_key)
);
