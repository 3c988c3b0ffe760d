"""RabbitMQ: topology (declared by the backend only), connections, publishing."""
