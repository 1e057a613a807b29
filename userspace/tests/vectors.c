// SPDX-License-Identifier: GPL-2.0
/* Test vector file reader (see vectors.h). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

#define MAX_VECTORS 128

static struct {
	char name[32];
	char *value;
} vectors[MAX_VECTORS];
static int nvectors;

const char *vectors_path(const char *file)
{
	static char path[4096];
	const char *dir = getenv("SUBCRED_VECTORS");

	snprintf(path, sizeof(path), "%s/%s",
		 dir ? dir : SUBCRED_VECTORS_DIR, file);
	return path;
}

int vectors_load(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) && nvectors < MAX_VECTORS) {
		char name[32], value[sizeof(line)];

		if (line[0] == '#' || sscanf(line, "%31s %1000s", name,
					     value) != 2)
			continue;
		strcpy(vectors[nvectors].name, name);
		vectors[nvectors].value = strdup(value);
		nvectors++;
	}
	fclose(f);
	return 0;
}

const char *vector_text(const char *name)
{
	int i;

	for (i = 0; i < nvectors; i++)
		if (!strcmp(vectors[i].name, name))
			return vectors[i].value;
	return NULL;
}

int vector_hex(const char *name, uint8_t *out, size_t size)
{
	const char *hex = vector_text(name);
	size_t i, n;

	if (!hex || strlen(hex) % 2 || strlen(hex) / 2 > size)
		return -1;
	n = strlen(hex) / 2;
	for (i = 0; i < n; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = b;
	}
	return n;
}
