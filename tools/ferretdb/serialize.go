package main

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
)

// FerretDB 1.24 runs update, findAndModify and delete as "query, change in Go,
// write back" without holding a lock in between. Two concurrent conditional
// updates of one document can therefore both succeed (measured: 3 of 8
// updates guarded by the same eTag won), where MongoDB guarantees that a
// single-document write is atomic. Tifli relies on that guarantee (eTags,
// state-guarded transitions, counters), so this launcher puts a small
// wire-protocol relay in front of FerretDB that runs write commands one at a
// time. Reads still run concurrently. A real MongoDB (MONGODB_URI) needs none
// of this.

const (
	opMsg   = 2013
	opQuery = 2004
)

// writeCommands are the commands that read and then write documents.
var writeCommands = map[string]bool{
	"insert":        true,
	"update":        true,
	"delete":        true,
	"findAndModify": true,
	"findandmodify": true,
}

// relay accepts client connections on front and forwards each to FerretDB at
// back, message by message, holding writeLock while a write command runs.
type relay struct {
	// backNetwork is "unix" when FerretDB listens on a private socket, "tcp" otherwise.
	backNetwork string
	back        string
	writeLock   sync.Mutex
	logger      *slog.Logger
}

func (r *relay) serve(front net.Listener) {
	for {
		client, err := front.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				r.logger.Error("accept failed", "error", err)
			}
			return
		}
		go r.handle(client)
	}
}

func (r *relay) handle(client net.Conn) {
	defer client.Close()
	server, err := net.Dial(r.backNetwork, r.back)
	if err != nil {
		r.logger.Error("cannot reach FerretDB", "error", err)
		return
	}
	defer server.Close()

	for {
		request, err := readMessage(client)
		if err != nil {
			return // the client closed its connection
		}
		locked := isWriteCommand(request)
		if locked {
			r.writeLock.Lock()
		}
		response, err := exchange(server, request)
		if locked {
			r.writeLock.Unlock()
		}
		if err != nil {
			r.logger.Warn("FerretDB connection failed", "error", err)
			return
		}
		if _, err := client.Write(response); err != nil {
			return
		}
	}
}

func exchange(server net.Conn, request []byte) ([]byte, error) {
	if _, err := server.Write(request); err != nil {
		return nil, err
	}
	return readMessage(server)
}

// readMessage reads one wire-protocol message: a little-endian int32 length
// that counts itself, then the rest.
func readMessage(conn net.Conn) ([]byte, error) {
	var header [4]byte
	if _, err := io.ReadFull(conn, header[:]); err != nil {
		return nil, err
	}
	length := int(binary.LittleEndian.Uint32(header[:]))
	if length < 16 || length > 48*1024*1024 {
		return nil, errors.New("bad message length")
	}
	message := make([]byte, length)
	copy(message, header[:])
	if _, err := io.ReadFull(conn, message[4:]); err != nil {
		return nil, err
	}
	return message, nil
}

// isWriteCommand reads the command name: the first key of the OP_MSG body
// section (kind 0) or of an OP_QUERY document.
func isWriteCommand(message []byte) bool {
	opCode := binary.LittleEndian.Uint32(message[12:16])
	var doc []byte
	switch opCode {
	case opMsg:
		// header (16) + flagBits (4) + section kind byte
		if len(message) < 21 || message[20] != 0 {
			return false
		}
		doc = message[21:]
	case opQuery:
		// header (16) + flags (4) + fullCollectionName cstring + skip (4) + return (4)
		rest := message[20:]
		end := indexByte(rest, 0)
		if end < 0 || len(rest) < end+9 {
			return false
		}
		doc = rest[end+9:]
	default:
		return false
	}
	// document: int32 length, element type byte, cstring key
	if len(doc) < 6 {
		return false
	}
	keyStart := doc[5:]
	end := indexByte(keyStart, 0)
	if end < 0 {
		return false
	}
	return writeCommands[string(keyStart[:end])]
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
