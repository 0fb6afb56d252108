/* The name test's labels (impostor.c, name-owner.c; tools/systest/test_names.py). */
#ifndef IMPOSTOR_H
#define IMPOSTOR_H

#define OWNED_NAME "owned-name" /* registered by name-owner, wanted by impostor */

enum name_owner_label {
	OWNER_WHO = 1, /* -> w0 = OWNER_MARK: the call reached the name's owner */
	OWNER_QUIT,    /* the owner ends */
};

#define OWNER_MARK 0x6f776e6572ul

#endif
