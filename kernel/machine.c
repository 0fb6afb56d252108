#include "machine.h"

#include <libfdt.h>
#include <string.h>

#include "format.h"

static int fail(struct machine *m, const char *what, int fdt_err)
{
	if (fdt_err)
		snformat(m->error, sizeof(m->error), "device tree: %s (%s)", what,
			 fdt_strerror(fdt_err));
	else
		snformat(m->error, sizeof(m->error), "device tree: %s", what);
	return -1;
}

/* libfdt checks each access against the header's sizes; walking every node and property
 * once makes a damaged structure block show up here rather than halfway through boot. */
static int check_structure(const void *fdt, size_t bufsize, struct machine *m)
{
	int err = fdt_check_header(fdt);
	if (err)
		return fail(m, "bad header", err);
	if (fdt_totalsize(fdt) > bufsize)
		return fail(m, "truncated: header claims more bytes than there are", 0);
	if (fdt_totalsize(fdt) > MACHINE_MAX_FDT_SIZE)
		return fail(m, "implausibly large", 0);

	int node = 0;
	while (node >= 0) {
		int prop;
		fdt_for_each_property_offset(prop, fdt, node) {
			const char *name;
			int len;
			if (!fdt_getprop_by_offset(fdt, prop, &name, &len))
				return fail(m, "damaged property", len);
		}
		if (prop != -FDT_ERR_NOTFOUND)
			return fail(m, "damaged property list", prop);
		node = fdt_next_node(fdt, node, NULL);
	}
	if (node != -FDT_ERR_NOTFOUND)
		return fail(m, "damaged structure block", node);
	return 0;
}

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/* Appends every (address, size) pair of node's reg to out; -1 when reg is malformed. */
static int read_reg(const void *fdt, int node, struct range *out, unsigned *n, unsigned max)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (ac < 1 || ac > 2 || sc < 0 || sc > 2 || !reg || len <= 0)
		return -1;
	int entry = (ac + sc) * 4;
	if (len % entry)
		return -1;
	for (int off = 0; off < len && *n < max; off += entry, (*n)++) {
		const fdt32_t *p = reg + off / 4;
		out[*n].base = read_cells(p, ac);
		out[*n].size = read_cells(p + ac, sc);
	}
	return 0;
}

static int read_device(const void *fdt, int node, struct mmio_device *dev)
{
	struct range r;
	unsigned n = 0;
	if (read_reg(fdt, node, &r, &n, 1) || n == 0)
		return -1;
	dev->base = r.base;
	dev->size = r.size;
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	dev->irq = irq && len >= 4 ? fdt32_to_cpu(irq[0]) : 0;
	return 0;
}

static bool read_u64_prop(const void *fdt, int node, const char *name, uint64_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	if (!p || (len != 4 && len != 8))
		return false;
	*v = read_cells(p, len / 4);
	return true;
}

/* A string property, or NULL when it is missing or runs past its length unterminated. */
static const char *string_prop(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);
	return s && len > 0 && memchr(s, '\0', (size_t)len) ? s : NULL;
}

static bool node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);
	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

/* riscv,isa is "rv64" + single-letter extensions, then multi-letter ones separated by '_';
 * the first multi-letter one (it starts with s, x or z) may follow the letters directly
 * (device-tree binding for riscv,isa), so the letters end there too. */
bool isa_has_extension(const char *isa, const char *ext)
{
	size_t elen = strlen(ext);
	if (strncmp(isa, "rv32", 4) && strncmp(isa, "rv64", 4))
		return false;
	const char *base = isa + 4, *end = base;
	while (*end && *end != '_' && *end != 's' && *end != 'x' && *end != 'z')
		end++;
	if (elen == 1)
		return memchr(base, ext[0], (size_t)(end - base)) != NULL;
	for (const char *name = end; *name;) {
		if (*name == '_')
			name++;
		const char *stop = strchr(name, '_');
		if (!stop)
			stop = name + strlen(name);
		if ((size_t)(stop - name) == elen && !strncmp(name, ext, elen))
			return true;
		name = stop;
	}
	return false;
}

/* Newer trees list extensions in riscv,isa-extensions; older ones only in riscv,isa. */
static bool cpu_has_extension(const void *fdt, int cpu, const char *isa, const char *ext)
{
	int len;
	const char *list = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
	if (list && len > 0)
		return fdt_stringlist_contains(list, len, ext);
	return isa_has_extension(isa, ext);
}

/* riscv,isa-extensions as one riscv,isa-form string: "rv64" from riscv,isa, the letters,
 * then "_name"s. A list that does not fit is cut at a whole name; size > 4. */
static void join_extensions(const char *base, const char *list, int len, char *out,
			    size_t size)
{
	size_t at = strnlen(base, 4); /* "rv64" */
	memcpy(out, base, at);
	out[at] = '\0';
	for (int pass = 0; pass < 2; pass++) { /* letters first, then the others */
		for (const char *e = list, *end = list + len; e < end; e += strlen(e) + 1) {
			size_t elen = strnlen(e, (size_t)(end - e));
			if (elen == (size_t)(end - e)) /* the last string is not terminated */
				break;
			if (!elen || (elen == 1) != (pass == 0) || elen + 1 >= size - at)
				continue;
			at += snformat(out + at, size - at, "%s%s", pass ? "_" : "", e);
		}
	}
}

static int parse_cpus(const void *fdt, uint32_t boot_hart, struct machine *m)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return fail(m, "no /cpus node", cpus);

	int boot_cpu = -1, cpu;
	fdt_for_each_subnode(cpu, fdt, cpus) {
		const char *type = fdt_getprop(fdt, cpu, "device_type", NULL);
		int len;
		const fdt32_t *reg = fdt_getprop(fdt, cpu, "reg", &len);
		if (!type || strcmp(type, "cpu") || !node_enabled(fdt, cpu))
			continue;
		if (!reg || len < 4)
			return fail(m, "cpu node without reg", 0);
		uint32_t id = (uint32_t)read_cells(reg, len >= 8 ? 2 : 1);
		if (m->nharts < MACHINE_MAX_HARTS)
			m->hart_ids[m->nharts++] = id;
		if (id == boot_hart)
			boot_cpu = cpu;
		if (!read_u64_prop(fdt, cpu, "timebase-frequency", &m->timebase_hz))
			read_u64_prop(fdt, cpus, "timebase-frequency", &m->timebase_hz);
	}
	if (m->nharts == 0)
		return fail(m, "no cpu node", 0);
	if (boot_cpu < 0)
		return fail(m, "no enabled cpu node for the boot hart", 0);
	if (m->timebase_hz == 0)
		return fail(m, "no timebase-frequency", 0);

	int isa_len;
	const char *isa = fdt_getprop(fdt, boot_cpu, "riscv,isa", &isa_len);
	if (!isa)
		return fail(m, "boot cpu has no riscv,isa", 0);
	if (isa_len < 1 || isa[isa_len - 1] != '\0')
		return fail(m, "boot cpu's riscv,isa is not a string", 0);
	m->isa = isa;
	int len;
	const char *list = fdt_getprop(fdt, boot_cpu, "riscv,isa-extensions", &len);
	if (list && len > 0)
		join_extensions(isa, list, len, m->extensions, sizeof(m->extensions));
	else
		snformat(m->extensions, sizeof(m->extensions), "%s", isa);
	m->has_h = cpu_has_extension(fdt, boot_cpu, isa, "h");
	m->has_sstc = cpu_has_extension(fdt, boot_cpu, isa, "sstc");
	m->has_zicbom = cpu_has_extension(fdt, boot_cpu, isa, "zicbom");
	m->has_zicboz = cpu_has_extension(fdt, boot_cpu, isa, "zicboz");
	uint64_t size;
	if (read_u64_prop(fdt, boot_cpu, "riscv,cbom-block-size", &size) && size <= UINT32_MAX)
		m->cbom_block_size = (uint32_t)size;
	if (read_u64_prop(fdt, boot_cpu, "riscv,cboz-block-size", &size) && size <= UINT32_MAX)
		m->cboz_block_size = (uint32_t)size;
	const char *mmu = string_prop(fdt, boot_cpu, "mmu-type");
	snformat(m->mmu_type, sizeof(m->mmu_type), "%s", mmu ? mmu : "");
	return 0;
}

static int parse_memory(const void *fdt, struct machine *m)
{
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	for (; node >= 0; node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7))
		if (node_enabled(fdt, node) && read_reg(fdt, node, m->ram, &m->nram, MACHINE_MAX_RANGES))
			return fail(m, "memory node with a malformed reg", 0);
	if (m->nram == 0)
		return fail(m, "no memory node", 0);

	for (int i = 0, n = fdt_num_mem_rsv(fdt); i < n && m->nreserved < MACHINE_MAX_RANGES; i++) {
		struct range *r = &m->reserved[m->nreserved++];
		fdt_get_mem_rsv(fdt, i, &r->base, &r->size);
	}
	int resv = fdt_path_offset(fdt, "/reserved-memory"), child;
	if (resv >= 0)
		fdt_for_each_subnode(child, fdt, resv)
			if (fdt_getprop(fdt, child, "reg", NULL) &&
			    read_reg(fdt, child, m->reserved, &m->nreserved, MACHINE_MAX_RANGES))
				return fail(m, "reserved-memory node with a malformed reg", 0);
	return 0;
}

/* The PLIC context that interrupts the boot hart in S-mode: the index of the pair in
 * interrupts-extended naming that hart's interrupt controller with cause 9 (supervisor
 * external interrupt, priv spec table 4.2). */
static int plic_s_context(const void *fdt, int plic, uint32_t boot_hart, uint32_t *context)
{
	int len;
	const fdt32_t *ie = fdt_getprop(fdt, plic, "interrupts-extended", &len);
	for (int i = 0; ie && i < len / 8; i++) {
		int intc = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(ie[2 * i]));
		int cpu = intc >= 0 ? fdt_parent_offset(fdt, intc) : -1;
		int reg_len = 0;
		const fdt32_t *reg = cpu >= 0 ? fdt_getprop(fdt, cpu, "reg", &reg_len) : NULL;
		if (reg && reg_len >= 4 && read_cells(reg, reg_len >= 8 ? 2 : 1) == boot_hart &&
		    fdt32_to_cpu(ie[2 * i + 1]) == 9) {
			*context = (uint32_t)i;
			return 0;
		}
	}
	return -1;
}

static int parse_devices(const void *fdt, uint32_t boot_hart, struct machine *m)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	if (node >= 0 && node_enabled(fdt, node)) {
		if (read_device(fdt, node, &m->uart))
			return fail(m, "UART node with a malformed reg", 0);
		m->has_uart = true;
	}

	node = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "sifive,plic-1.0.0");
	if (node >= 0) {
		uint64_t ndev = 0;
		if (read_device(fdt, node, &m->plic) || !read_u64_prop(fdt, node, "riscv,ndev", &ndev))
			return fail(m, "PLIC node without reg or riscv,ndev", 0);
		m->plic_ndev = (uint32_t)ndev;
		if (plic_s_context(fdt, node, boot_hart, &m->plic_context))
			return fail(m, "PLIC has no S-mode context for the boot hart", 0);
		m->has_plic = true;
	}

	for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		if (m->nvirtio == MACHINE_MAX_VIRTIO || !node_enabled(fdt, node))
			continue;
		if (read_device(fdt, node, &m->virtio[m->nvirtio]))
			return fail(m, "virtio,mmio node with a malformed reg", 0);
		m->nvirtio++;
	}
	/* Device trees list nodes from the highest address down; report them in address order. */
	for (unsigned i = 1; i < m->nvirtio; i++)
		for (unsigned j = i; j > 0 && m->virtio[j - 1].base > m->virtio[j].base; j--) {
			struct mmio_device t = m->virtio[j];
			m->virtio[j] = m->virtio[j - 1];
			m->virtio[j - 1] = t;
		}
	return 0;
}

static int parse_chosen(const void *fdt, struct machine *m)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	m->bootargs = "";
	if (chosen < 0)
		return 0;
	int args_len;
	const char *args = fdt_getprop(fdt, chosen, "bootargs", &args_len);
	if (args && (args_len < 1 || args[args_len - 1] != '\0'))
		return fail(m, "/chosen/bootargs is not a string", 0);
	if (args)
		m->bootargs = args;
	bool has_start = read_u64_prop(fdt, chosen, "linux,initrd-start", &m->initrd_start);
	bool has_end = read_u64_prop(fdt, chosen, "linux,initrd-end", &m->initrd_end);
	if (has_start != has_end || (has_start && m->initrd_end < m->initrd_start))
		return fail(m, "/chosen has an inconsistent initrd range", 0);
	m->has_initrd = has_start && m->initrd_end > m->initrd_start;

	int len;
	const void *seed = fdt_getprop(fdt, chosen, "rng-seed", &len);
	if (seed && len > 0) {
		m->rng_seed_len = len < MACHINE_MAX_SEED ? (unsigned)len : MACHINE_MAX_SEED;
		memcpy(m->rng_seed, seed, m->rng_seed_len);
	}
	return 0;
}

int machine_parse(const void *fdt, size_t bufsize, uint32_t boot_hart, struct machine *m)
{
	memset(m, 0, sizeof(*m));
	if (!fdt)
		return fail(m, "none was passed (a1 = 0)", 0);
	if (bufsize < sizeof(struct fdt_header))
		return fail(m, "truncated: shorter than its header", 0);
	if (check_structure(fdt, bufsize, m))
		return -1;
	m->fdt_size = fdt_totalsize(fdt);
	if (parse_cpus(fdt, boot_hart, m) || parse_memory(fdt, m) || parse_devices(fdt, boot_hart, m) ||
	    parse_chosen(fdt, m))
		return -1;
	return 0;
}
