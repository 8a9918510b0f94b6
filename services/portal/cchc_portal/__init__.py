"""The portal (cổng thông tin): the web pages people use, a backend-for-frontend over the four
services' HTTP APIs. It keeps no business data of its own."""
