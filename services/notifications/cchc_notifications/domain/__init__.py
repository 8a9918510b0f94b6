"""The pure model of notifications: who is told what (``model``), the Vietnamese messages
(``messages``), the calendar invitations (``calendar``) and the MIME message (``mail``)."""
